FROM node:20.19.5-bookworm-slim
WORKDIR /app
# A CJK font for the Chinese text of the report charts (PNG in mail).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY . .
# npm ci installs every dependency, TypeScript included, and its prepare script compiles the sources to dist/
# (npm run build), which bin/envmon.mjs runs; then the development dependencies go. NODE_ENV=production comes
# after: with it set, npm ci would leave TypeScript out and the image would run the sources through tsx.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production
# Local state lives in /app/var, owned by the unprivileged `node` user the image runs as; a named volume mounted
# there starts out with this owner.
RUN mkdir -p /app/var && chown node:node /app/var
USER node
ENTRYPOINT ["node", "bin/envmon.mjs"]
CMD ["start"]
