package com.example.inventory;

import java.util.Map;
import java.util.TreeMap;

/** Stock levels per SKU. Thread-safe: every method locks the instance. */
public final class Stock {
    private final Map<String, Integer> levels = new TreeMap<>();

    /** Adds {@code delta} (negative to take out) and returns the new level; never below zero. */
    public synchronized int adjust(String sku, int delta) {
        if (sku == null || sku.isBlank()) {
            throw new IllegalArgumentException("empty SKU");
        }
        int level = levels.getOrDefault(sku, 0) + delta;
        if (level < 0) {
            throw new IllegalStateException("only " + levels.getOrDefault(sku, 0) + " of " + sku + " in stock");
        }
        levels.put(sku, level);
        return level;
    }

    /** The level of one SKU (0 when unknown). */
    public synchronized int level(String sku) {
        return levels.getOrDefault(sku, 0);
    }

    /** All levels as a JSON object, SKUs in order. */
    public synchronized String toJson() {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Integer> e : levels.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(e.getKey().replace("\\", "\\\\").replace("\"", "\\\"")).append("\":").append(e.getValue());
        }
        return out.append('}').toString();
    }
}
