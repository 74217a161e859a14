import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "../api/client";

export const PAYMENT_EVENT = "trellis:payment-required";

function onAnyError(e: unknown) {
  if (isApiError(e) && e.status === 402) {
    window.dispatchEvent(new CustomEvent(PAYMENT_EVENT, { detail: e.problem }));
  }
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onAnyError }),
    mutationCache: new MutationCache({ onError: onAnyError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        retry: (count, e) => {
          if (isApiError(e) && e.status < 500 && e.status !== 429) return false;
          return count < 2;
        },
        retryDelay: (count, e) => (isApiError(e) && e.retryAfter ? e.retryAfter * 1000 : 500 * 2 ** count),
      },
      mutations: { retry: false },
    },
  });
}
