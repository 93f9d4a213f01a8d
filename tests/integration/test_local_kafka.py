"""The local stack's Kafka set-up with Kafka's own tools (deploy/local/stack.py)."""

from deploy.local.install import install
from deploy.local.stack import format_kafka_storage, kafka_properties


def test_a_new_cluster_id_that_starts_with_a_dash_formats_the_storage(tmp_path):
    # Random ids start with "-" once in 64 times; `-t ID` made Kafka's StorageTool read it as an option.
    installation = install()
    config = tmp_path / "server.properties"
    config.write_text(kafka_properties(1, 2, tmp_path / "data"))
    java = [installation.java, "-cp", f"{installation.kafka_libs}/*"]
    format_kafka_storage(java, config, "-mr_bnPKTW20Jb6yCa4zvA")
    assert "cluster.id=-mr_bnPKTW20Jb6yCa4zvA" in (tmp_path / "data" / "meta.properties").read_text()
