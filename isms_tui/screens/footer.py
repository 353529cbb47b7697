"""The footer: the screen's keys that fit, whole, beside the command palette key.

Textual's Footer lays every shown key in one row and docks the palette key over its right
end: at 80 columns the row ran under it, cutting a Japanese description in half and leaving a
stray ``▏`` above the footer. :class:`IsmsFooter` shows only the keys that fit, dropping the
least important first: the app's quit and language keys, then from the right end (a screen
lists its main keys first). Every key still
works, and the palette (ctrl+p) and the help (F1) list them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ..text import display_width

APP_DROP = ("quit", "toggle_lang")
"""The app's keys dropped first (ctrl+q and F2 are in the help and the palette)."""

KEY_FRAME = 3  # a key's cells besides its key and description: one each side of the key, one after the text
PALETTE_FRAME = 4  # the palette key's border, its key padding and its padding on the right


def key_width(key_display: str, description: str) -> int:
    return display_width(key_display) + display_width(description) + KEY_FRAME


def fit_keys(keys: Sequence[tuple[str | None, int]], room: int, drop_first: Sequence[str]) -> set[int]:
    """The positions of ``keys`` ((binding id, width) in footer order) to show in ``room``
    cells: all when they fit, else without the ones in ``drop_first`` (in its order), then
    without the last ones."""
    shown = list(range(len(keys)))
    order = [i for d in drop_first for i in shown if keys[i][0] == d]
    order += [i for i in reversed(shown) if i not in order]
    used = sum(w for _, w in keys)
    for i in order:
        if used <= room:
            break
        shown.remove(i)
        used -= keys[i][1]
    return set(shown)


class IsmsFooter(Footer):
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        # the palette key is left out below the app's "-narrow" breakpoint (app.tcss)
        palette = (active.get(self.app.COMMAND_PALETTE_BINDING)
                   if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
                   and not self.screen.has_class("-narrow") else None)
        # one key per action, in the order Textual shows them
        seen: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding, enabled, tooltip)
        entries = list(seen.values())
        keys = [(b.id, key_width(self.app.get_key_display(b), b.description)) for b, _, _ in entries]
        room = self.size.width or self.app.size.width
        if palette is not None:
            _node, pb, _enabled, _tooltip = palette
            room -= display_width(self.app.get_key_display(pb)) + display_width(pb.description) + PALETTE_FRAME
        shown = fit_keys(keys, room, APP_DROP)
        for n, (binding, enabled, tooltip) in enumerate(entries):
            if n in shown:
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                                disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if palette is not None:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    def on_resize(self, event: events.Resize) -> None:
        if self.is_attached and self._bindings_ready:
            self.call_after_refresh(self.recompose)
