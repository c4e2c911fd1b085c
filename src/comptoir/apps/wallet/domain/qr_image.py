"""The text of a merchant's QR code, read from a photo or screenshot the payer uploads.

The picture is opened by Pillow and searched by zxing-cpp, a maintained port of the ZXing
reader: finding a code in a skewed, unevenly lit phone photo is a field of its own that we do
not write again. What the code says is then read as a pasted payload is (`qr.parse_payment_qr`).
"""

from __future__ import annotations

import io
from typing import Final

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.kernel.i18n import lazy

MAX_IMAGE_BYTES: Final = 8_000_000
# A phone's camera takes 12-50 megapixels; more is either a mistake or a decompression bomb.
MAX_IMAGE_PIXELS: Final = 60_000_000
# Codes are found as well on a picture brought down to this size, and far faster.
READ_SIDE: Final = 2000


def read_qr_image(data: bytes) -> str:
    """The text of the one QR code in the picture `data` (WalletError when none can be read)."""
    import zxingcpp
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise WalletError("qr_image_size", lazy("The picture is too large (8 MB at most)."))
    if data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        raise WalletError(
            "qr_image_unreadable",
            lazy(
                "A drawing (SVG) cannot be read here. Upload a photo or a screenshot of the "
                "code, or paste its text."
            ),
        )
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                raise WalletError(
                    "qr_image_size", lazy("The picture has too many pixels to be read.")
                )
            # A phone photo says in its EXIF which way up it was taken.
            picture = ImageOps.exif_transpose(opened).convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise WalletError(
            "qr_image_unreadable",
            lazy("This file is not a picture we can read. Upload a photo or a screenshot."),
        ) from None
    picture.thumbnail((READ_SIDE, READ_SIDE))
    qr_codes = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    texts = {
        found.text
        for found in zxingcpp.read_barcodes(picture, formats=qr_codes)
        if found.valid and found.text
    }
    if not texts:
        raise WalletError(
            "qr_image_none",
            lazy(
                "No QR code could be read in this picture. Take it again, closer and "
                "straight on, or paste the code's text."
            ),
        )
    if len(texts) > 1:
        raise WalletError(
            "qr_image_several",
            lazy("The picture holds more than one QR code. Upload one of the merchant's only."),
        )
    return texts.pop()
