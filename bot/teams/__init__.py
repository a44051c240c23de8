"""planbot in Microsoft Teams, on the Microsoft 365 Agents SDK: the only package that imports ``microsoft_agents``.

Like ``bot.slack`` it is thin glue: activities are translated into the core's ``Invocation`` and the
core's neutral layouts are drawn as Adaptive Cards; every word people read comes from ``commands``.
"""
