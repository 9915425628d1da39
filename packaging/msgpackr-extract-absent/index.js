// msgpackr treats a throwing require as "no native acceleration" and decodes in JavaScript.
throw new Error('msgpackr-extract is not installed in this build');
