"""Local stand-ins for provider APIs: real HTTP/1.1 keep-alive servers the real client libraries talk to."""
