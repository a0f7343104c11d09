"""The video wall: full-screen scenes fed by the console's CityState, a playlist per screen,
and the focus scene a desk throws a subject onto."""
