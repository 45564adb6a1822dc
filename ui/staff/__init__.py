"""The staff screen: a manager unlocks a locked cashier and resets PINs at the till."""
