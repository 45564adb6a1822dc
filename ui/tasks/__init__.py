"""Work off the UI thread: named queues, operations with progress and cancel, change broadcast."""
