from tests.gateway.harness import harness

__all__ = ["harness"]
