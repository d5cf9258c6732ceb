"""The Slack adapter: slack-bolt listeners, Block Kit rendering, the Slack messenger."""
