"""{% picture image %}: a library picture as an <img> with its srcset, alt text and size,
loaded lazily unless ``eager`` (the first picture a page shows)."""

from django import template

register = template.Library()


@register.inclusion_tag("exercises/_picture.html")
def picture(image, *, sizes="100vw", css="img-fluid rounded", eager=False):
    return {"image": image, "sizes": sizes, "css": css, "eager": eager}
