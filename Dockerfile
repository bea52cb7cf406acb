# kinetic-signal with the built Kinetic Mesh app, in one small image.
#   docker build -t kinetic-mesh .
#   docker run -p 8787:8787 -v kinetic-data:/data kinetic-mesh
# Settings are environment variables (see `docker run --rm kinetic-mesh --help`), e.g.
#   -e KINETIC_ALLOW_ORIGIN=https://mesh.example.org -e KINETIC_TURN=turn:turn.example.org:3478 -e KINETIC_TURN_SECRET=…
# TLS belongs to a reverse proxy in front (docs/self-hosting.md).

# --- build: the app (dist/app) and the packed server (kinetic-signal-<version>.tgz) ---
FROM node:22-bookworm-slim AS build
WORKDIR /src
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
COPY package.json package-lock.json ./
COPY signaling-server/package.json signaling-server/package.json
# No install scripts: every native part this build needs ships as a platform package.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx vite build \
 && npm pack -w kinetic-signal --pack-destination /out \
 && cp -r dist/app /out/www

# --- run: only the server package, its production dependencies, and the static app ---
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    KINETIC_STATIC=/app/www \
    KINETIC_DATA=/data \
    KINETIC_LOG_LEVEL=info
COPY --from=build /out /tmp/pkg
RUN npm install -g --omit=dev --ignore-scripts --no-audit --no-fund /tmp/pkg/kinetic-signal-*.tgz \
 && mkdir -p /app /data \
 && mv /tmp/pkg/www /app/www \
 && rm -rf /tmp/pkg /root/.npm \
 && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node is PID 1 here: kinetic-signal handles SIGTERM itself (tells clients, closes sockets, exits 0).
ENTRYPOINT ["kinetic-signal"]
