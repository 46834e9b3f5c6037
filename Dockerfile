FROM node:20.19.5-bookworm-slim
WORKDIR /app
# A CJK font for the Chinese text of the report charts (PNG in mail).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# Local state lives in /app/var, owned by the unprivileged `node` user the image runs as; a named volume mounted
# there starts out with this owner.
RUN mkdir -p /app/var && chown node:node /app/var
USER node
ENTRYPOINT ["node", "bin/envmon.mjs"]
CMD ["start"]
