package com.example.inventory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * HTTP front end. {@code GET /stock} lists levels, {@code POST /stock/SKU?delta=N} adjusts one,
 * {@code GET /health} answers ok.
 */
public final class Server {
    private Server() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--version")) {
            System.out.println("inventory 2.1.0");
            return;
        }
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        Stock stock = new Stock();
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", ex -> reply(ex, 200, "ok\n"));
        server.createContext("/stock", ex -> handleStock(ex, stock));
        server.start();
        System.out.println("inventory listening on :" + port);
    }

    private static void handleStock(HttpExchange ex, Stock stock) throws IOException {
        String path = ex.getRequestURI().getPath();
        try {
            if (ex.getRequestMethod().equals("GET") && path.equals("/stock")) {
                reply(ex, 200, stock.toJson());
            } else if (ex.getRequestMethod().equals("POST") && path.startsWith("/stock/")) {
                String query = ex.getRequestURI().getQuery();
                int delta = query != null && query.startsWith("delta=") ? Integer.parseInt(query.substring(6)) : 1;
                reply(ex, 200, stock.adjust(path.substring(7), delta) + "\n");
            } else {
                reply(ex, 404, "not found\n");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            reply(ex, 409, e.getMessage() + "\n");
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
