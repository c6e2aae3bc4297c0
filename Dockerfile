# backup-manager as a container: the CLI and `serve`. Standard tools inside (pg_dump/pg_restore 15,
# redis-cli, tar, zstd), so a restore by hand works from the same image.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
RUN mvn -B -ntp -q -DskipTests package

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless postgresql-client-15 redis-tools zstd tar \
    ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/backup-manager
COPY --from=build /src/target/backup-manager.jar target/backup-manager.jar
COPY --from=build /src/target/lib target/lib
COPY application.properties backup-manager ./
COPY routes routes
COPY docs docs
# The launcher rebuilds only when sources are present and newer; the image ships the jar alone.
# Its class archive is written here once, not at the first start of every container.
RUN ./backup-manager --help > /dev/null
ENV PATH="/opt/backup-manager:${PATH}"
EXPOSE 8080
ENTRYPOINT ["/opt/backup-manager/backup-manager"]
CMD ["serve"]
