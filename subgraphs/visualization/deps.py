"""What the visualization resolvers reach through `info.context.deps`, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

from ..common.gateway_client import GatewayClient
from ..common.platform import Platform
from ..common.settings import Settings
from .cache import SvgCache
from .personal_data import VisualizationPersonalData
from .seen import SeenProgress
from .service import RenderCounts, VisualizationService
from .source import DataSource
from .source.gateway import GatewaySource
from .visualizations import Visualizations


@dataclass
class Deps:
    settings: Settings
    source: DataSource
    cache: SvgCache
    service: VisualizationService
    personal_data: VisualizationPersonalData
    visualizations: Visualizations


def build(settings: Settings, platform: Platform, *, source: DataSource | None = None) -> Deps:
    """The subgraph's parts; `source` replaces the gateway (samples, tests)."""
    source = source or GatewaySource(GatewayClient.from_settings(settings))
    cache = SvgCache(platform.redis)
    counts = RenderCounts.on(platform.metrics.registry)
    service = VisualizationService(source, cache, counts, settings.public_url)
    seen = SeenProgress(platform.redis)
    personal_data = VisualizationPersonalData(cache, seen, platform.events)
    visualizations = Visualizations(service, seen)
    return Deps(settings, source, cache, service, personal_data, visualizations)
