"""HTTP channel ring: the Flask app and the Twilio SMS channel."""
