# OmniSonic server image: docker build -t omnisonic . && docker run -p 8000:8000 -e OMNISONIC_API_KEY=... omnisonic
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY bin ./bin
RUN npx tsc -p tsconfig.build.json && node scripts/bundle.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# results of jobs too large for Redis (docker-compose.yml mounts a shared volume here)
RUN mkdir -p /results && chown node:node /results
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY presets ./presets
COPY public ./public
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/omnisonic.cjs", "serve", "--host", "0.0.0.0", "--port", "8000"]
