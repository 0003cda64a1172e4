# telaudit as a container image: the image `telaudit:latest` that deploy/ runs.
#
#   docker build -t telaudit:latest .
#   docker run --rm -v "$PWD/sample-data:/data:ro" -v "$PWD/out:/out" telaudit:latest \
#       audit /data/acme-health --out /out/acme-health
#
# Stage 1 builds the release binary from the repository (rules/ and layouts/ are
# built into it); stage 2 is a slim Debian with that binary and nothing else.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p telaudit \
    && install -m 0755 target/release/telaudit /usr/local/bin/telaudit

FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/telaudit /usr/local/bin/telaudit
# Runs as an unprivileged user; mount the client folders and the output folder.
USER 65534:65534
ENTRYPOINT ["telaudit"]
CMD ["--help"]
