"""What a buyer asks for in `discover`: the Intent and its filters (components/schemas)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from comptoir.kernel.beckn.models.base import BecknModel
from comptoir.kernel.beckn.models.catalog import GeoJSONGeometry


class Filters(BecknModel):
    type: Literal["jsonpath"]
    expression: str


SpatialOperator = Literal[
    "S_WITHIN",
    "S_CONTAINS",
    "S_INTERSECTS",
    "S_DISJOINT",
    "S_OVERLAPS",
    "S_CROSSES",
    "S_TOUCHES",
    "S_EQUALS",
    "S_DWITHIN",
]


class SpatialConstraint(BecknModel):
    op: SpatialOperator
    targets: str | list[str]
    geometry: GeoJSONGeometry | None = None
    distance_meters: float | None = Field(default=None, ge=0)
    quantifier: Literal["ANY", "ALL", "NONE"] | None = None
    srid: str | None = None


class MediaInput(BecknModel):
    type: Literal["image", "audio", "video"]
    url: str
    id: str | None = None
    content_type: str | None = None
    text_hint: str | None = None
    language: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None


MediaGoal = Literal[
    "visual-similarity",
    "visual-object-detect",
    "text-from-image",
    "text-from-audio",
    "semantic-audio-match",
    "semantic-video-match",
]


class MediaSearchOptions(BecknModel):
    goals: list[MediaGoal] | None = None
    augment_text_search: bool | None = Field(default=None, alias="augment_text_search")
    restrict_results_to_media_proximity: bool | None = Field(
        default=None, alias="restrict_results_to_media_proximity"
    )


class MediaSearch(BecknModel):
    media: list[MediaInput] | None = None
    options: MediaSearchOptions | None = None


class Intent(BecknModel):
    text_search: str | None = None
    filters: Filters | None = None
    spatial: list[SpatialConstraint] | None = None
    media_search: MediaSearch | None = None
