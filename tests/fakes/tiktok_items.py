"""Build TikTok web `itemStruct` objects and publish their media on the fake CDN hosts.

Field names and shapes follow what www.tiktok.com pages carry and what yt-dlp's TikTok extractor reads
(see /work/shared/TESTING.md). URLs look like the real ones; the fake only routes on host and path.
"""

from __future__ import annotations

import hashlib
import time
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.fakes.tiktok_content import Blob, Catalog, Music, SlideImage
from tests.fakes.tiktok_hosts import IMAGE_HOST, MUSIC_HOST, VIDEO_BACKUP_HOST, VIDEO_HOST, WEB_HOST

_EXPIRES = "1893456000"  # x-expires of signed CDN URLs (2030-01-01); nothing checks it


def token(*parts: object) -> str:
    """A stable path token per post and variant, so a test can recognise URLs in logs."""
    return hashlib.sha1("/".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:32]


def canonical_url(author: str, post_id: str) -> str:
    return f"https://{WEB_HOST}/@{author}/video/{post_id}"


def numeric_id(*parts: object) -> str:
    return str(6_800_000_000_000_000_000 + zlib.crc32("/".join(map(str, parts)).encode()) * 1_000_003)


def _signature(*parts: object) -> str:
    return token("signature", *parts)


@dataclass(frozen=True, slots=True)
class VideoRendition:
    codec: str  # "h264" or "bytevc1"
    resolution: str  # "540p", "720p"
    bitrate: int  # bits per second, as in UrlKey
    gear_name: str
    quality_type: int


@dataclass(frozen=True, slots=True)
class VideoLayout:
    width: int
    height: int
    duration: int
    data_size_known: bool


H264_540P = VideoRendition("h264", "540p", 560_000, "normal_540_0", 20)
H264_720P = VideoRendition("h264", "720p", 1_100_000, "normal_720_0", 10)
H264_1080P = VideoRendition("h264", "1080p", 2_200_000, "normal_1080_0", 2)
BYTEVC1_720P = VideoRendition("bytevc1", "720p", 720_000, "normal_720_0", 10)


def publish_video_rendition(
    catalog: Catalog, post_id: str, rendition: VideoRendition | None, blob: Blob, variant: str
) -> list[str]:
    """Put `blob` on the primary and backup video hosts; the URLs differ in their query like real ones."""
    path = f"/video/tos/useast2a/tos-useast2a-ve-0068c001/{token(post_id, variant)}/"
    kbps = (rendition.bitrate if rendition else 600_000) // 1000
    query = urlencode(
        {
            "a": "1988",
            "bti": token("bti", post_id)[:16],
            "ch": "0",
            "cr": "3",
            "dr": "0",
            "lr": "all" if variant != "watermarked" else "tiktok_m",
            "cd": "0|0|0|",
            "cv": "1",
            "br": str(kbps * 2),
            "bt": str(kbps),
            "cs": "2" if rendition and rendition.codec == "bytevc1" else "0",
            "ds": "6" if variant != "watermarked" else "3",
            "ft": "-Csk_m7nPD12N",
            "mime_type": "video_mp4",
            "qs": "0",
            "rc": token("rc", post_id, variant)[:24],
            "vvpl": "1",
            "l": f"2026010112{post_id[-12:]}",
            "btag": "e00088000",
        }
    )
    urls = []
    for host in (VIDEO_HOST, VIDEO_BACKUP_HOST):
        catalog.publish(host, path, blob, requires_chain_token=True)
        urls.append(f"https://{host}{path}?{query}")
    return urls


def publish_image(catalog: Catalog, blob: Blob, *parts: object, template: str) -> str:
    extension = {"image/heic": "heic", "image/png": "png"}.get(blob.content_type, "jpeg")
    bucket = "tos-useast5-i-photomode-tx" if "photomode" in template else "tos-useast5-p-0068-tx"
    path = f"/{bucket}/{token('image', *parts)}~{template}.{extension}"
    catalog.publish(IMAGE_HOST, path, blob)
    query = urlencode({"x-expires": _EXPIRES, "x-signature": _signature(path), "idc": "useast5"})
    return f"https://{IMAGE_HOST}{path}?{query}"


def publish_music(catalog: Catalog, music: Music, cover: Blob) -> None:
    music.cover_url = publish_image(catalog, cover, "music", music.id, template="tplv-tiktokx-cropcenter:720:720")
    if music.audio is None:
        return
    if music.audio.content_type == "audio/mpeg":
        extension, mime_type = "mp3", "audio_mpeg"
    else:
        extension, mime_type = "m4a", "audio_mp4"
    path = f"/obj/ies-music-ttp-dup-us/{music.id}.{extension}"
    catalog.publish(MUSIC_HOST, path, music.audio)
    music.url = f"https://{MUSIC_HOST}{path}?{urlencode({'mime_type': mime_type})}"


def author_json(author: str, nickname: str) -> dict[str, Any]:
    return {
        "id": numeric_id("author", author),
        "uniqueId": author,
        "nickname": nickname,
        "secUid": "MS4wLjABAAAA" + token("secuid", author),
        "avatarThumb": f"https://{IMAGE_HOST}/tos-useast5-avt-0068-tx/{token('avatar', author)}~tplv-100.jpeg",
        "signature": "",
        "verified": False,
        "privateAccount": False,
        "secret": False,
        "openFavorite": False,
    }


def music_json(music: Music) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": music.id,
        "title": music.title,
        "authorName": music.author,
        "original": music.title.startswith("original sound"),
        "duration": music.duration,
        "album": "",
    }
    if music.cover_url:
        data |= {"coverLarge": music.cover_url, "coverMedium": music.cover_url, "coverThumb": music.cover_url}
    if music.url:
        data["playUrl"] = music.url
    return data


def stats_json(post_id: str) -> dict[str, int]:
    seed = zlib.crc32(post_id.encode())
    return {
        "diggCount": seed % 100_000,
        "shareCount": seed % 1_000,
        "commentCount": seed % 5_000,
        "playCount": seed % 10_000_000,
        "collectCount": seed % 3_000,
    }


def bitrate_info_json(
    rendition: VideoRendition, urls: list[str], blob: Blob, post_id: str, layout: VideoLayout
) -> dict[str, Any]:
    uri = f"v12044gd0000{token('uri', post_id, rendition.codec)[:20]}"
    play_addr: dict[str, Any] = {
        "Uri": uri,
        "UrlList": urls,
        "Width": layout.width,
        "Height": layout.height,
        "UrlKey": f"{uri}_{rendition.codec}_{rendition.resolution}_{rendition.bitrate}",
        "FileHash": token("hash", post_id, rendition.codec),
        "FileCs": f"c:0-{blob.size}-{token('cs', post_id)[:4]}",
    }
    if layout.data_size_known:
        play_addr["DataSize"] = blob.size
    return {
        "GearName": rendition.gear_name,
        "Bitrate": rendition.bitrate,
        "QualityType": rendition.quality_type,
        "CodecType": rendition.codec,
        "PlayAddr": play_addr,
    }


def _base_item(post_id: str, author: str, nickname: str, desc: str, music: Music | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": post_id,
        "desc": desc,
        "createTime": str(int(time.time()) - 86_400),
        "author": author_json(author, nickname),
        "stats": stats_json(post_id),
        "isAd": False,
        "privateItem": False,
        "duetEnabled": True,
        "stitchEnabled": True,
        "shareEnabled": True,
        "textExtra": [
            {"hashtagName": word[1:], "type": 1} for word in desc.split() if word.startswith("#") and len(word) > 1
        ],
    }
    if music is not None:
        item["music"] = music_json(music)
    return item


def video_item(
    *,
    post_id: str,
    author: str,
    nickname: str,
    desc: str,
    layout: VideoLayout,
    play_url: str,
    download_url: str,
    cover_url: str,
    bitrate_info: list[dict[str, Any]],
    music: Music | None,
    size: int,
) -> dict[str, Any]:
    item = _base_item(post_id, author, nickname, desc, music)
    item["video"] = {
        "id": post_id,
        "width": layout.width,
        "height": layout.height,
        "duration": layout.duration,
        "ratio": "540p",
        "definition": "540p",
        "format": "mp4",
        "videoQuality": "normal",
        "codecType": "h264",
        "encodedType": "normal",
        "cover": cover_url,
        "originCover": cover_url,
        "dynamicCover": cover_url,
        "playAddr": play_url,
        "downloadAddr": download_url,
        "bitrate": H264_540P.bitrate,
        "bitrateInfo": bitrate_info,
        "size": str(size) if layout.data_size_known else "0",
        "subtitleInfos": [],
    }
    return item


def slideshow_item(
    *,
    post_id: str,
    author: str,
    nickname: str,
    desc: str,
    images: list[SlideImage],
    heic_first: bool,
    music: Music | None,
) -> dict[str, Any]:
    item = _base_item(post_id, author, nickname, desc, music)

    def image_json(image: SlideImage) -> dict[str, Any]:
        urls = [image.heic_url, image.plain_url] if heic_first else [image.plain_url, image.heic_url]
        return {"imageURL": {"urlList": urls}, "imageWidth": image.width, "imageHeight": image.height}

    cover_url = images[0].plain_url if images else ""
    item["imagePost"] = {
        "images": [image_json(image) for image in images],
        "cover": image_json(images[0]) if images else {},
        "shareCover": image_json(images[0]) if images else {},
        "title": "",
    }
    # Slideshows keep a `video` without playAddr and with duration 0.
    item["video"] = {
        "id": "",
        "width": images[0].width if images else 0,
        "height": images[0].height if images else 0,
        "duration": 0,
        "ratio": "540p",
        "cover": cover_url,
        "originCover": cover_url,
        "dynamicCover": "",
        "bitrateInfo": [],
    }
    return item


def age_restricted_item(*, post_id: str, author: str, nickname: str, desc: str) -> dict[str, Any]:
    item = _base_item(post_id, author, nickname, desc, None)
    item["isContentClassified"] = True  # and no `video`: the page wants a logged-in viewer
    return item
