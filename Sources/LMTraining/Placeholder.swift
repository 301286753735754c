// Placeholder so the target builds; delete when the first real file lands.
