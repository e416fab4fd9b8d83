# The control plane as a container. Build the jar first: mvn -q -DskipTests package
FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 miosa
COPY api/target/miosa-data.jar /opt/miosa/miosa-data.jar
USER miosa
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/miosa/miosa-data.jar"]
