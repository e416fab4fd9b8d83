# The control plane as a container. Build the jar first: mvn -q -DskipTests package
FROM eclipse-temurin:25-jre
# psql (PgBouncer's admin console), pg_dump and pg_restore (Postgres backups). Their major version
# must be at least the tenant servers' (Ubuntu 24.04's postgresql-client is 16; tenants run 15).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 miosa
COPY api/target/miosa-data.jar /opt/miosa/miosa-data.jar
USER miosa
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/miosa/miosa-data.jar"]
