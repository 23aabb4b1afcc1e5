package com.example.inventory;

/** Checks for {@link Stock}, run with {@code java -cp target/classes:target/test-classes}. */
public final class StockCheck {
    public static void main(String[] args) {
        Stock s = new Stock();
        expect(s.adjust("bolt", 5) == 5, "adjust adds");
        expect(s.adjust("bolt", -2) == 3, "adjust takes out");
        try {
            s.adjust("bolt", -4);
            expect(false, "cannot go below zero");
        } catch (IllegalStateException expected) {
            // ok
        }
        expect(s.toJson().equals("{\"bolt\":3}"), "json");
        System.out.println("StockCheck: 4 passed");
    }

    private static void expect(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
