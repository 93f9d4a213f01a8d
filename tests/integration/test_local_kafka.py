"""The local stack's Kafka set-up with Kafka's own tools (deploy/local/stack.py)."""

from deploy.local.install import DEPLOY, install
from deploy.local.stack import format_kafka_storage


def test_a_new_cluster_id_that_starts_with_a_dash_formats_the_storage(tmp_path):
    # Random ids start with "-" once in 64 times; `-t ID` made Kafka's StorageTool read it as an option.
    installation = install()
    config = tmp_path / "server.properties"
    template = (DEPLOY / "kafka" / "server.properties").read_text()
    config.write_text(template.format(port=1, controller_port=2, data_dir=tmp_path / "data"))
    java = [installation.java, "-cp", f"{installation.kafka_libs}/*"]
    format_kafka_storage(java, config, "-mr_bnPKTW20Jb6yCa4zvA")
    assert "cluster.id=-mr_bnPKTW20Jb6yCa4zvA" in (tmp_path / "data" / "meta.properties").read_text()
