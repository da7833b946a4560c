import type MimeNode from "nodemailer/lib/mime-node";
import * as base64 from "nodemailer/lib/base64";
import * as qp from "nodemailer/lib/qp";

// The parts of a node the synchronous writer reads; the type file marks some of them internal.
type Node = MimeNode & { _raw?: unknown; _transforms: unknown[]; _processFuncs: unknown[] };

/**
 * The message nodemailer's MimeNode.build() would produce, written synchronously from the same
 * tree with nodemailer's own header builder and encoders. build() pushes every node through
 * streams, a pipeline and a setImmediate per stage, which made it the largest cost of an e-mail
 * (an event-loop turn and a stream per part, an AbortController per pipeline). Only trees of
 * string or Buffer content are written here; anything else (streams, files, URLs, raw parts,
 * transforms, a newline option) returns undefined and goes to build(). A test holds the bytes
 * equal to build()'s.
 */
export function writeMessage(root: MimeNode): Buffer | undefined {
  const chunks: Array<string | Buffer> = [];
  if (!write(root as Node, chunks)) return undefined;
  const message = Buffer.concat(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c)));
  // build() ends every message with a line break.
  const last = message.at(-1);
  if (last === 0x0a) return message;
  return Buffer.concat([message, Buffer.from(last === 0x0d ? "\n" : "\r\n")]);
}

function write(node: Node, out: Array<string | Buffer>): boolean {
  if ((node._raw !== undefined && node._raw !== false) || node._transforms.length > 0 || node._processFuncs.length > 0 || node.newline) return false;
  const content = node.content;
  if (content !== undefined && typeof content !== "string" && !Buffer.isBuffer(content)) return false;
  out.push(node.buildHeaders() + "\r\n\r\n");
  if (content !== undefined && content !== "") {
    const encoding = node.getTransferEncoding();
    if (encoding === "base64") out.push(base64.wrap(base64.encode(content), 76));
    else if (encoding === "quoted-printable") {
      // build() encodes a lone CR or LF outside text/* as data; those trees go to build().
      if (!/^text\//i.test(node.contentType ?? "")) return false;
      out.push(qp.wrap(qp.encode(content), 76));
    } else out.push(content);
  }
  if (!node.multipart) return true;
  let i = 0;
  for (const child of node.childNodes) {
    out.push(`${i++ > 0 ? "\r\n" : ""}--${String(node.boundary)}\r\n`);
    if (!write(child as Node, out)) return false;
  }
  out.push(`\r\n--${String(node.boundary)}--\r\n`);
  return true;
}
