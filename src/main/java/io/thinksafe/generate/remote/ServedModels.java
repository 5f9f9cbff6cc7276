package io.thinksafe.generate.remote;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * What OpenAI-compatible servers list under {@code /v1/models} right now, asked once without
 * retries: a run that waits for a server to load an adapter polls with it.
 */
public final class ServedModels {
    private ServedModels() {}

    /**
     * The models every reachable endpoint lists, by endpoint. An endpoint that does not answer is left
     * out, so a caller waiting for a model sees it only once every endpoint that answers lists it.
     */
    public static List<Set<String>> list(List<URI> endpoints, ApiKey key, Duration timeout) {
        HttpTransport transport = new HttpTransport(key, timeout);
        java.util.ArrayList<Set<String>> out = new java.util.ArrayList<>();
        for (URI base : endpoints) {
            try {
                out.add(new LinkedHashSet<>(ApiCodec.modelIds(transport.get(URI.create(base + "/models"), timeout).join(), base)));
            } catch (CompletionException | RemoteException e) {
                // not answering now: asked again at the next poll
            }
        }
        return out;
    }
}
