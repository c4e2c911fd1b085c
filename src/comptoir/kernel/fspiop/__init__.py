"""The protocol layer of the switch: the Mojaloop FSPIOP API v2.0, as the spec defines it.

Headers and versions (`headers`), the JWS signature of the FSPIOP "Signature" document
(`signature`), the error codes and ErrorInformation bodies (`errors`), and the duplicate
handling of requests (`idempotency`). Pure functions over bytes, strings and mappings: no
framework, no database. Import from here; the submodules are an arrangement.
"""

from comptoir.kernel.fspiop.errors import (
    ERROR_CODES,
    ErrorCode,
    FspiopError,
    SchemaViolation,
    describe_code,
    error_body,
    error_from_body,
    generic_code,
    not_found_in_uri,
    validation_error,
)
from comptoir.kernel.fspiop.headers import (
    API_VERSION,
    MAX_CONTENT_LENGTH,
    RESOURCES,
    SUPPORTED_VERSIONS,
    FspiopHeaders,
    build_headers,
    content_type,
    fspiop_uri,
    json_body,
    media_type,
    parse_request_headers,
    unacceptable_version,
)
from comptoir.kernel.fspiop.http_dates import format_http_date, parse_http_date
from comptoir.kernel.fspiop.idempotency import (
    Action,
    Decision,
    StoredRequest,
    content_hash,
    decide,
)
from comptoir.kernel.fspiop.ids import (
    CORRELATION_ID_PATTERN,
    correlation_uuid,
    is_correlation_id,
    is_ulid,
    ulid_or_none,
    ulid_text,
)
from comptoir.kernel.fspiop.rsa_keys import (
    DEFAULT_ALGORITHM,
    MIN_RSA_BITS,
    SIGNATURE_ALGORITHMS,
    RsaJwk,
    RsaKeyError,
    SignatureAlgorithm,
    generate_rsa_jwk,
    import_rsa_jwk,
    import_rsa_jwks,
    rsa_jwks_document,
)
from comptoir.kernel.fspiop.signature import sign_headers, sign_message, verify_message

__all__ = [
    "API_VERSION",
    "CORRELATION_ID_PATTERN",
    "DEFAULT_ALGORITHM",
    "ERROR_CODES",
    "MAX_CONTENT_LENGTH",
    "MIN_RSA_BITS",
    "RESOURCES",
    "SIGNATURE_ALGORITHMS",
    "SUPPORTED_VERSIONS",
    "Action",
    "Decision",
    "ErrorCode",
    "FspiopError",
    "FspiopHeaders",
    "RsaJwk",
    "RsaKeyError",
    "SchemaViolation",
    "SignatureAlgorithm",
    "StoredRequest",
    "build_headers",
    "content_hash",
    "content_type",
    "correlation_uuid",
    "decide",
    "describe_code",
    "error_body",
    "error_from_body",
    "format_http_date",
    "fspiop_uri",
    "generate_rsa_jwk",
    "generic_code",
    "import_rsa_jwk",
    "import_rsa_jwks",
    "is_correlation_id",
    "is_ulid",
    "json_body",
    "media_type",
    "not_found_in_uri",
    "parse_http_date",
    "parse_request_headers",
    "rsa_jwks_document",
    "sign_headers",
    "sign_message",
    "ulid_or_none",
    "ulid_text",
    "unacceptable_version",
    "validation_error",
    "verify_message",
]
