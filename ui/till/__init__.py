"""The till: the cashier's screen, its cart, payment, search and receipt views."""
