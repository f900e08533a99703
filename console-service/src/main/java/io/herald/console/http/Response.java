package io.herald.console.http;

/** A page, a redirect or a plain-text answer; what {@link ConsoleHandler} sends. */
record Response(int status, String html, String location, String text) {

  static Response page(int status, String html) {
    return new Response(status, html, null, null);
  }

  static Response ok(String html) {
    return page(200, html);
  }

  /** 303 See Other: after a POST, and to the login page. */
  static Response redirect(String location) {
    return new Response(303, null, location, null);
  }

  static Response text(int status, String text) {
    return new Response(status, null, null, text);
  }
}
