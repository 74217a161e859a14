import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { makeQueryClient } from "./app/queryClient";
import { App } from "./app/App";
import { bootstrapRoute } from "./app/startup";
import { ToastProvider } from "./ui";
import "./ui/tokens.css";
import "./ui/base.css";
import "./ui/layout.css";
import "./ui/screens.css";

const queryClient = makeQueryClient();
bootstrapRoute(queryClient);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <ToastProvider>
          <App />
        </ToastProvider>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
