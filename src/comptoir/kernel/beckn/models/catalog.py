"""Catalogue schemas: Descriptor, Provider, Resource, Offer, Consideration, Catalog and the
small objects they hold (components/schemas of beckn-v2.0.0.yaml)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from comptoir.kernel.beckn.models.base import BecknModel, OpenBecknModel


class MediaFile(BecknModel):
    label: str | None = None
    mime_type: str | None = None
    uri: str | None = None


class DocumentSecurity(OpenBecknModel):
    checksum: str | None = None
    checksum_algorithm: Literal["SHA256", "SHA512", "OTHER"] | None = None
    signature: str | None = None
    signature_algorithm: str | None = None
    key_id: str | None = None


class Document(BecknModel):
    label: str
    mime_type: str
    url: str
    standard: str | None = None
    security: DocumentSecurity | None = None


class Descriptor(BecknModel):
    code: str | None = None
    name: str | None = None
    short_desc: str | None = None
    long_desc: str | None = None
    thumbnail_image: str | None = None
    docs: list[Document] | None = None
    media_file: list[MediaFile] | None = None


class Attributes(OpenBecknModel):
    """A JSON-LD bag: `@context` and `@type`, then anything the context defines."""

    context: str = Field(alias="@context")
    type: str = Field(alias="@type")


class Address(BecknModel):
    address_country: str | None = None
    address_locality: str | None = None
    address_region: str | None = None
    extended_address: str | None = None
    postal_code: str | None = None
    street_address: str | None = None


GeometryType = Literal[
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
]


class GeoJSONGeometry(OpenBecknModel):
    type: GeometryType
    bbox: list[float] | None = Field(default=None, min_length=4, max_length=4)
    coordinates: list[Any] | None = None
    geometries: list[GeoJSONGeometry] | None = None


class Location(BecknModel):
    geo: GeoJSONGeometry
    address: Address | None = None


class Provider(BecknModel):
    id: str
    descriptor: Descriptor
    available_at: list[Location] | None = None
    provider_attributes: Attributes | None = None


class TimePeriod(BecknModel):
    start_date: str | None = None
    end_date: str | None = None
    start_time: str | None = None
    end_time: str | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> TimePeriod:
        no_dates = self.start_date is None and self.end_date is None
        if no_dates and (self.start_time is None or self.end_time is None):
            raise ValueError("needs startDate, endDate, or both startTime and endTime")
        return self


class Resource(OpenBecknModel):
    id: str
    descriptor: Descriptor | None = None
    resource_attributes: Attributes | None = None


class Consideration(OpenBecknModel):
    id: str
    status: Descriptor
    consideration_attributes: Attributes | None = None


class AvailableTo(OpenBecknModel):
    type: Literal["NETWORK", "PARTICIPANT", "ROLE"]
    id: str


class Offer(OpenBecknModel):
    id: str
    descriptor: Descriptor | None = None
    provider: Provider | None = None
    resource_ids: list[str] | None = None
    add_ons: list[Resource | Offer] | None = None
    considerations: list[Consideration] | None = None
    validity: TimePeriod | None = None
    available_to: list[AvailableTo] | None = None
    offer_attributes: Attributes | None = None


class ResourceExtension(BecknModel):
    master_resource_id: str


class ResourceDirective(BecknModel):
    resource_id: str
    extends: ResourceExtension


class PublishDirectives(BecknModel):
    catalog_type: Literal["master", "regular"]
    update_mode: Literal["FULL", "MERGE"] | None = None
    resource_directives: list[ResourceDirective] | None = None


class Catalog(BecknModel):
    id: str
    descriptor: Descriptor
    provider: Provider
    bpp_id: str | None = None
    bpp_uri: str | None = None
    publish_directives: PublishDirectives | None = None
    is_active: bool | None = None
    offers: list[Offer] | None = None
    resources: list[Resource] | None = None
    validity: TimePeriod | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Catalog:
        if self.resources is None and self.offers is None:
            raise ValueError("a catalog needs resources or offers")
        return self
