package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * One OpenAI-compatible address in front of several {@code thinksafe serve} servers, one model each,
 * routed by the request's {@code model}: what vLLM looks like with {@code --enable-lora} when adapters
 * are loaded at run time ({@code /v1/models} lists the base and every adapter loaded so far).
 */
final class ModelRouter implements AutoCloseable {
    private final HttpServer http;
    private final Map<String, String> backends = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newHttpClient();

    ModelRouter() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        http.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "router");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", this::handle);
        http.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1";
    }

    /** Serves {@code name} from the server at {@code url} (its /v1 base URL) from now on. */
    void add(String name, String url) {
        backends.put(name, url);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (ex.getRequestMethod().equals("GET") && path.equals("/v1/models")) {
                ObjectNode o = Json.object().put("object", "list");
                ArrayNode data = o.putArray("data");
                backends.keySet().stream().sorted().forEach(n -> data.addObject().put("id", n).put("object", "model"));
                reply(ex, 200, Json.compact(o));
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            JsonNode req = Json.MAPPER.readTree(body);
            String target = backends.get(req.path("model").asText());
            if (target == null) {
                reply(ex, 404, "{\"error\": {\"message\": \"model not found\", \"type\": \"invalid_request_error\"}}");
                return;
            }
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(target + path.substring("/v1".length())))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            reply(ex, r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(ex, 500, "{}");
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
