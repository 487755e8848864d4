"""The simulated marketplace that legitimate traffic and fraud patterns both build on.

What a campaign or a legitimate source needs to describe its orders, below the generator's
stages so that patterns never import the generator:

- :mod:`.marketplace`: shops, items and buyers with their devices, addresses and wallets
  (:class:`~.marketplace.Market`), and the accounts a source opens;
- :mod:`.drafts`: :class:`~.drafts.OrderDraft`, an order before its details, and the codes a
  draft may force (channel, status, review);
- :mod:`.clock`: local calendar time and epoch seconds;
- :mod:`.curves`: the organic traffic's rate over the window;
- :mod:`.seeds`: named random streams (``stream(seed, "marketplace", "buyers")``).

Layers: :mod:`brushbench.dataset` <- :mod:`brushbench.scenario` <- ``market`` <-
:mod:`brushbench.patterns` <- :mod:`brushbench.generator`.
"""
