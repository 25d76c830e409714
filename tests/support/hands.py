"""A person's pointer in the browser tests: a real mouse click at the middle of what they see."""
from __future__ import annotations


def click_at_middle(page, locator) -> None:
    """A real click at the middle of one element, scrolled into view first (as a person scrolls)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
