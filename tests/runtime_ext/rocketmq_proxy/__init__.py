"""A test double of the RocketMQ 5 gRPC proxy (apache.rocketmq.v2.MessagingService).

No RocketMQ broker or proxy can be obtained offline, so tests run the real `rocketmq-python-client`
against this in-memory implementation of the protocol. It is not a broker: see broker.py for the
semantics it keeps.
"""

from .broker import DLQ_PREFIX, BrokerConfig, StoredMessage
from .server import RocketMQTestProxy

__all__ = ["DLQ_PREFIX", "BrokerConfig", "RocketMQTestProxy", "StoredMessage"]
