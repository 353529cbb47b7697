"""The baseline app of the benchmarks: a Header, a Static and a Footer."""

from textual.app import App
from textual.widgets import Footer, Header, Static


class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
