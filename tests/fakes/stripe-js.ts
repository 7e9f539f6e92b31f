/**
 * A fake Stripe.js for browser tests, served in place of https://js.stripe.com/… with
 * `page.route(STRIPE_JS_URL_PATTERN, (route) => route.fulfill({ contentType: 'text/javascript',
 * body: fakeStripeJsSource(fakeStripe.url) }))`. It implements the part of Stripe.js our site
 * uses (Payment Element, confirmPayment, retrievePaymentIntent) and confirms payments on the fake
 * Stripe API (stripe-server.ts), from the browser, as the real one does on api.stripe.com.
 *
 * What @stripe/stripe-js 10.2.1 (loadStripe) expects from the script it injects:
 * - it injects `<script src="https://js.stripe.com/endive/stripe.js">` (release train "endive";
 *   `?advancedFraudSignals=false` is appended after `loadStripe.setLoadParameters({
 *   advancedFraudSignals: false })`), unless a script matching STRIPE_JS_URL_PATTERN is already
 *   in the page;
 * - on the script's `load` event it requires `window.Stripe` (else "Stripe.js not available"), and
 *   calls it WITHOUT `new`: `window.Stripe.apply(undefined, [publishableKey, options])`;
 * - with a pk_test_ key it compares `window.Stripe.version` to "endive" and only warns on a
 *   mismatch: the fake sets version = 'endive';
 * - it calls `stripe._registerWrapper({ name, version, startTime })` when present: the fake has a
 *   no-op one.
 */

/** The exact URL loadStripe (@stripe/stripe-js 10.2.1) injects. */
export const STRIPE_JS_URL = 'https://js.stripe.com/endive/stripe.js';

/**
 * Every URL loadStripe recognises as Stripe.js (its own STRIPE_JS_URL_REGEX and V3_URL_REGEX), for
 * `page.route`.
 */
export const STRIPE_JS_URL_PATTERN = /^https:\/\/js\.stripe\.com\/(?:v3\/?|[a-z0-9]+\/stripe\.js)(?:\?.*)?$/;

/**
 * Stripe's 3-D Secure pages (hooks.stripe.com), which Stripe.js frames in its modal. Browser tests
 * route them to the fake API, which serves the same paths: `context.route(STRIPE_HOOKS_URL_PATTERN,
 * (route) => routeToFake(route, fakeStripe.url))`.
 */
export const STRIPE_HOOKS_URL_PATTERN = /^https:\/\/hooks\.stripe\.com\//;

/** Fetches a routed hooks.stripe.com request (GET or the form's POST) from the fake instead. */
export async function routeToFake(
  route: {
    request(): { url(): string };
    fetch(options: { url: string }): Promise<unknown>;
    fulfill(options: { response: never }): Promise<void>;
  },
  apiUrl: string,
): Promise<void> {
  const url = new URL(route.request().url());
  const response = await route.fetch({ url: `${apiUrl.replace(/\/$/, '')}${url.pathname}${url.search}` });
  await route.fulfill({ response: response as never });
}

/** The release train @stripe/stripe-js 10.2.1 expects in `window.Stripe.version`. */
export const STRIPE_JS_VERSION = 'endive';

/** The JavaScript source of the fake Stripe.js, talking to the fake Stripe API at `apiUrl`. */
export function fakeStripeJsSource(apiUrl: string): string {
  return `(function () {
  'use strict';
  var API_URL = ${JSON.stringify(apiUrl.replace(/\/$/, ''))};

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  function luhn(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    return sum % 10 === 0;
  }

  function cardState(value) {
    var digits = String(value || '').replace(/[\\s-]/g, '');
    var complete = /^\\d{13,19}$/.test(digits) && luhn(digits);
    return { digits: digits, empty: digits.length === 0, complete: complete };
  }

  function intentIdOf(clientSecret) {
    if (typeof clientSecret !== 'string' || clientSecret.indexOf('_secret_') < 0) {
      throw IntegrationError('Invalid value for clientSecret: expected a PaymentIntent client secret.');
    }
    return clientSecret.split('_secret_')[0];
  }

  // Like Stripe.js: form-encoded POST with the publishable key in the body (a "simple" CORS
  // request: no preflight), JSON back; API errors come back as { error }, never as exceptions.
  function call(method, path, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) {
      if (fields[k] !== undefined && fields[k] !== null) body.append(k, String(fields[k]));
    });
    var url = API_URL + path + (method === 'GET' ? '?' + body.toString() : '');
    var init = { method: method };
    if (method !== 'GET') {
      init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
      init.body = body.toString();
    }
    return fetch(url, init).then(
      function (res) {
        return res.json().then(function (json) {
          return res.ok ? { data: json } : { error: json.error };
        });
      },
      function (e) {
        return { error: { type: 'api_connection_error', message: 'fake Stripe.js: ' + String(e) } };
      }
    );
  }

  function Emitter() {
    var handlers = {};
    return {
      on: function (event, cb) {
        (handlers[event] = handlers[event] || []).push(cb);
      },
      off: function (event, cb) {
        handlers[event] = (handlers[event] || []).filter(function (h) {
          return cb !== undefined && h !== cb;
        });
      },
      emit: function (event, payload) {
        (handlers[event] || []).slice().forEach(function (cb) {
          cb(payload);
        });
      },
    };
  }

  var counter = 0;

  function createPaymentElement(type, elementOptions) {
    var emitter = Emitter();
    var container = null;
    var input = null;
    var destroyed = false;
    var id = 'fake-stripe-card-' + ++counter;
    var element = {
      _type: type,
      _options: elementOptions || {},
      _cardNumber: function () {
        return input ? input.value : '';
      },
      mount: function (target) {
        if (destroyed) throw IntegrationError('This Element has already been destroyed. Please create a new one.');
        var node = typeof target === 'string' ? document.querySelector(target) : target;
        if (!node) throw IntegrationError('The selector you specified (' + target + ') applies to no DOM elements.');
        if (container) throw IntegrationError('This Element is already mounted.');
        container = document.createElement('div');
        container.className = 'fake-stripe-element';
        var label = document.createElement('label');
        label.setAttribute('for', id);
        // Escaped: the script is served without a charset guarantee.
        label.textContent = 'Num\\u00e9ro de carte (fake Stripe)';
        input = document.createElement('input');
        input.id = id;
        input.type = 'text';
        input.name = 'cardnumber';
        input.setAttribute('inputmode', 'numeric');
        input.setAttribute('autocomplete', 'cc-number');
        input.setAttribute('data-testid', 'fake-stripe-card');
        input.addEventListener('input', function () {
          var s = cardState(input.value);
          emitter.emit('change', {
            elementType: type,
            empty: s.empty,
            complete: s.complete,
            collapsed: false,
            value: { type: 'card' },
          });
        });
        input.addEventListener('focus', function () {
          emitter.emit('focus', { elementType: type });
        });
        input.addEventListener('blur', function () {
          emitter.emit('blur', { elementType: type });
        });
        container.appendChild(label);
        container.appendChild(input);
        node.appendChild(container);
        // Real Elements become ready asynchronously, once their iframe has loaded.
        setTimeout(function () {
          emitter.emit('ready', { elementType: type });
        }, 0);
      },
      unmount: function () {
        if (container && container.parentNode) container.parentNode.removeChild(container);
        container = null;
        input = null;
      },
      destroy: function () {
        element.unmount();
        destroyed = true;
      },
      update: function (options) {
        Object.assign(element._options, options || {});
      },
      focus: function () {
        if (input) input.focus();
      },
      blur: function () {
        if (input) input.blur();
      },
      clear: function () {
        if (input) input.value = '';
      },
      collapse: function () {},
      on: function (event, cb) {
        emitter.on(event, cb);
        return element;
      },
      once: function (event, cb) {
        var wrapped = function (payload) {
          emitter.off(event, wrapped);
          cb(payload);
        };
        emitter.on(event, wrapped);
        return element;
      },
      off: function (event, cb) {
        emitter.off(event, cb);
        return element;
      },
    };
    return element;
  }

  function createElements(options) {
    var created = {};
    var elements = {
      _options: options || {},
      create: function (type, elementOptions) {
        if (type !== 'payment') throw IntegrationError('fake Stripe.js only implements the "payment" Element, not "' + type + '".');
        if (created[type]) throw IntegrationError('Can only create one Element of type ' + type + '.');
        created[type] = createPaymentElement(type, elementOptions);
        return created[type];
      },
      getElement: function (type) {
        return created[type] || null;
      },
      update: function (opts) {
        Object.assign(elements._options, opts || {});
      },
      fetchUpdates: function () {
        return Promise.resolve({});
      },
      // Like Stripe.js: validates the Payment Element; an incomplete card is a validation_error.
      submit: function () {
        var element = created.payment;
        var s = cardState(element ? element._cardNumber() : '');
        if (!s.complete) {
          return Promise.resolve({
            error: {
              type: 'validation_error',
              code: s.empty ? 'incomplete_number' : 'invalid_number',
              message: s.empty ? 'Your card number is incomplete.' : 'Your card number is invalid.',
            },
          });
        }
        return Promise.resolve({});
      },
    };
    return elements;
  }

  function StripeFake(publishableKey, stripeOptions) {
    if (typeof publishableKey !== 'string' || publishableKey === '') {
      throw IntegrationError('Invalid value for Stripe(): apiKey should be a string. You specified: ' + typeof publishableKey + '.');
    }
    var key = publishableKey;

    function retrievePaymentIntent(clientSecret) {
      var id = intentIdOf(clientSecret);
      return call('GET', '/v1/payment_intents/' + encodeURIComponent(id), { key: key, client_secret: clientSecret }).then(
        function (r) {
          return r.error ? { error: r.error } : { paymentIntent: r.data };
        }
      );
    }

    // Like Stripe.js with 3-D Secure: the bank's page in a modal over the site; when the customer
    // has answered there, the PaymentIntent says how it went (succeeded, or the authentication
    // failure as last_payment_error, which Stripe.js returns as the error).
    function authenticate(intent, clientSecret) {
      return new Promise(function (resolve) {
        var overlay = document.createElement('div');
        overlay.setAttribute('data-testid', 'fake-stripe-3ds');
        overlay.style.cssText =
          'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,0.55);';
        var frame = document.createElement('iframe');
        frame.name = 'fake-stripe-3ds-frame';
        frame.title = '3D Secure';
        frame.src = intent.next_action.use_stripe_sdk.stripe_js;
        frame.style.cssText = 'width:min(92vw,400px);height:min(70vh,240px);border:0;border-radius:8px;background:#fff;';
        overlay.appendChild(frame);
        document.body.appendChild(overlay);
        function onMessage(event) {
          if (event.source !== frame.contentWindow || !event.data || event.data.type !== 'fake-stripe-3ds-done') return;
          window.removeEventListener('message', onMessage);
          overlay.parentNode.removeChild(overlay);
          resolve();
        }
        window.addEventListener('message', onMessage);
      })
        .then(function () {
          return retrievePaymentIntent(clientSecret);
        })
        .then(function (r) {
          if (r.error) return r;
          var pi = r.paymentIntent;
          if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
            return { error: Object.assign({}, pi.last_payment_error, { payment_intent: pi }) };
          }
          return { paymentIntent: pi };
        });
    }

    return {
      _fake: true,
      _options: stripeOptions || {},
      _registerWrapper: function () {},
      elements: function (options) {
        return createElements(options);
      },
      retrievePaymentIntent: retrievePaymentIntent,
      // As Stripe.js: resolves { paymentIntent } (redirect: 'if_required') or { error }; with the
      // default redirect: 'always', a success navigates to confirmParams.return_url instead.
      confirmPayment: function (params) {
        params = params || {};
        var elements = params.elements;
        var clientSecret = params.clientSecret || (elements && elements._options.clientSecret);
        var confirmParams = params.confirmParams || {};
        var redirect = params.redirect || 'always';
        if (!elements || !elements.getElement('payment')) {
          return Promise.reject(IntegrationError('confirmPayment needs the elements with a mounted Payment Element.'));
        }
        if (redirect === 'always' && !confirmParams.return_url) {
          return Promise.reject(IntegrationError('confirmPayment: return_url is required when redirect is "always".'));
        }
        var id = intentIdOf(clientSecret);
        var card = cardState(elements.getElement('payment')._cardNumber());
        // Stripe.js validates the fields before calling the API.
        if (!card.complete) return elements.submit();
        return call('POST', '/v1/payment_intents/' + encodeURIComponent(id) + '/confirm', {
          key: key,
          client_secret: clientSecret,
          'payment_method_data[type]': 'card',
          'payment_method_data[card][number]': card.digits,
          return_url: confirmParams.return_url,
        }).then(function (r) {
          if (r.error) return r;
          if (r.data.status === 'requires_action' && r.data.next_action) return authenticate(r.data, clientSecret);
          return { paymentIntent: r.data };
        }).then(function (r) {
          if (r.error) return { error: r.error };
          r = { data: r.paymentIntent };
          if (redirect === 'always') {
            var url = new URL(confirmParams.return_url, window.location.href);
            url.searchParams.set('payment_intent', r.data.id);
            url.searchParams.set('payment_intent_client_secret', clientSecret);
            url.searchParams.set('redirect_status', r.data.status);
            window.location.assign(url.toString());
            return new Promise(function () {});
          }
          return { paymentIntent: r.data };
        });
      },
    };
  }

  StripeFake.version = ${JSON.stringify(STRIPE_JS_VERSION)};
  window.Stripe = StripeFake;
})();
`;
}
