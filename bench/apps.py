from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark, the synthetic clinic and the load-test check: tooling that measures
    the portal, kept apart from the apps it measures. It has no models and no pages."""

    name = "bench"
    verbose_name = "Benchmark tooling"
