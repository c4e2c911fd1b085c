"""The provider's use cases; only these modules touch the provider's tables."""
