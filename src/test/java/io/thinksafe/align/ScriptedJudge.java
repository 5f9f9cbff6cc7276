package io.thinksafe.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.thinksafe.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** An OpenAI-compatible server standing in for an LLM judge: it answers each chat request with {@code script(user message)}. */
final class ScriptedJudge implements AutoCloseable {
    private final HttpServer server;
    private final Function<String, String> script;
    private final List<String> seen = new ArrayList<>();

    ScriptedJudge(Function<String, String> script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    synchronized List<String> seen() {
        return List.copyOf(seen);
    }

    private void handle(HttpExchange ex) throws IOException {
        ObjectNode o = Json.object();
        if (ex.getRequestURI().getPath().endsWith("/models")) {
            o.putArray("data").addObject().put("id", "judge-model").put("object", "model");
        } else {
            JsonNode body = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            JsonNode messages = body.path("messages");
            String user = messages.path(messages.size() - 1).path("content").asText();
            synchronized (this) {
                seen.add(user);
            }
            o.put("id", "chatcmpl-judge").put("object", "chat.completion").put("model", "judge-model");
            ObjectNode choice = o.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", script.apply(user));
            choice.put("finish_reason", "stop");
            o.putObject("usage").put("prompt_tokens", user.length() / 4).put("completion_tokens", 12).put("total_tokens", user.length() / 4 + 12);
        }
        byte[] bytes = Json.compact(o).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
