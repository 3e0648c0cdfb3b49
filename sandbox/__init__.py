"""A local stand-in for Slack: the fake Web API the tests use, and the sandbox (``coregroup demo``).

``fake_slack`` (the Web API, with ``web_api``, ``files_api``, ``call_log``, ``block_limits``,
``interactions`` and ``http_plumbing``) and ``slack_sender`` (signed requests to the bot, with
``signed_post`` and ``view_state``) are the Slack side. ``demo`` starts the sandbox: the real bot,
``page`` (the web page and its JSON API, ``static/``), ``client`` (what Slack does when a person acts),
``workspace`` and ``demo_org`` (the people, channels and history), and ``clock`` (the movable clock).
"""
