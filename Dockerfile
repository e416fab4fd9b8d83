# syntax=docker/dockerfile:1.7
# The control plane as a container, built from a clean clone: docker build -t miosa-data .
# Base images are pinned to a version; bump them on purpose.

# --- build: the Maven wrapper builds the jar (tests run in CI, not here) ---------------------------
FROM eclipse-temurin:25.0.1_8-jdk-noble AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -q -DskipTests -Dspotless.check.skip=true package \
    && java -Djarmode=tools -jar api/target/miosa-data.jar extract --layers --destination /layers

# --- runtime: Debian 12, whose postgresql-client-15 matches the tenant servers' major version ------
FROM debian:12.12-slim
# psql (PgBouncer's admin console), pg_dump and pg_restore (Postgres backups) of major version 15;
# e2fsprogs (mkfs.ext4, resize2fs, debugfs: volumes); curl for the HEALTHCHECK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 e2fsprogs curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV JAVA_HOME=/opt/java/openjdk
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=eclipse-temurin:25.0.1_8-jre-noble /opt/java/openjdk /opt/java/openjdk
# A system user owning its working directory (the embedded default's ./.miosa would land here) and
# the default volume root; uid 10001 is also the PgBouncer container's (deploy/pgbouncer), so the
# files the control plane writes for PgBouncer (mode 0640) are readable there.
RUN groupadd --system --gid 10001 miosa \
    && useradd --system --uid 10001 --gid miosa --home-dir /var/lib/miosa --no-create-home miosa \
    && mkdir -p /var/lib/miosa/volumes /opt/miosa \
    && chown -R miosa:miosa /var/lib/miosa
WORKDIR /var/lib/miosa
# Spring Boot layers, least often changed first, so a code change rebuilds only the last layer.
COPY --from=build /layers/dependencies/ /opt/miosa/
COPY --from=build /layers/spring-boot-loader/ /opt/miosa/
COPY --from=build /layers/snapshot-dependencies/ /opt/miosa/
COPY --from=build /layers/application/ /opt/miosa/
USER miosa
ENV PORT=8080 \
    MIOSA_POSTGRES_TOOLS_DIR=/usr/lib/postgresql/15/bin
EXPOSE 8080
# Ready means the control plane's own store answers (backends have their own group, `backends`).
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/actuator/health/readiness" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/miosa/miosa-data.jar"]
