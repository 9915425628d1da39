FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY packaging ./packaging
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY src ./src
COPY migrations ./migrations
ENV NODE_ENV=production HOST=0.0.0.0 CHECK_RESPONSES=false
USER node
CMD ["node", "src/main.ts"]
