"""The "🎬 Video" button's door into the pipeline: a slideshow rendered as one video, for anyone in the chat."""

from __future__ import annotations

from misc.delivery.button_press import ButtonPressDelivery
from misc.delivery.failures import FailureReporter
from misc.delivery.media_kinds import SlideshowVideoMedia
from misc.delivery.pipeline import DeliveryPipeline
from misc.delivery.services import DeliveryServices


class SlideshowVideoDelivery(ButtonPressDelivery):
    def __init__(self, services: DeliveryServices, pipeline: DeliveryPipeline, failures: FailureReporter) -> None:
        super().__init__(services, pipeline, failures, SlideshowVideoMedia(services.sender))
