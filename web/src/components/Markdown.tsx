import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import rehypeSanitize from "rehype-sanitize";

/**
 * User Markdown → React elements. Raw HTML in the source is never turned into DOM
 * (react-markdown leaves it out unless rehype-raw is added, and it is not), and
 * rehype-sanitize plus react-markdown's URL filter drop `javascript:` links and the like.
 */
export default function Markdown({ source, className = "markdown" }: { source: string; className?: string }) {
  if (!source.trim()) return null;
  return (
    <div className={className}>
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeSanitize]}
        skipHtml
        components={{
          a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer nofollow" />,
          img: ({ node: _node, alt, src }) => (
            // Images would load from anywhere (the CSP allows only 'self' and data:): show a link instead.
            <a href={typeof src === "string" ? src : undefined} target="_blank" rel="noopener noreferrer nofollow">{alt || "image"}</a>
          ),
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
