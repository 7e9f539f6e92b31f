import type { Order } from '../contract/index.js';
import type { Mail } from '../adapters/mail.js';

const euros = (cents: number) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The order confirmation: what was ordered, what it costs, and the link to follow it live. */
export function confirmationMail(order: Order, shopName: string, trackingUrl: string): Mail | null {
  if (!order.customer.email) return null;
  const lines = order.lines.map(
    (l) => `${l.quantity} × ${l.productName} — ${euros(l.unitPriceCents * l.quantity)}`,
  );
  const payment =
    order.status === 'pending_payment'
      ? 'Paiement en ligne en attente : votre commande partira en cuisine dès sa confirmation.'
      : order.mode === 'delivery'
        ? 'Paiement à la livraison.'
        : 'Paiement au comptoir.';
  const text = [
    `Bonjour ${order.customer.name},`,
    '',
    `${shopName} a bien reçu votre commande ${order.shortCode}.`,
    '',
    ...lines,
    `Total : ${euros(order.totals.totalCents)}`,
    payment,
    '',
    `Suivez-la en direct : ${trackingUrl}`,
    '',
    'Gardez ce lien : il permet aussi de modifier ou d’annuler la commande tant que la cuisine ne l’a pas commencée.',
    '',
    'OC Pizza',
  ].join('\n');
  const html = `<p>Bonjour ${escape(order.customer.name)},</p>
<p>${escape(shopName)} a bien reçu votre commande <strong>${escape(order.shortCode)}</strong>.</p>
<ul>${lines.map((l) => `<li>${escape(l)}</li>`).join('')}</ul>
<p><strong>Total : ${euros(order.totals.totalCents)}</strong><br>${escape(payment)}</p>
<p><a href="${escape(trackingUrl)}">Suivre ma commande en direct</a></p>
<p>Gardez ce lien : il permet aussi de modifier ou d’annuler la commande tant que la cuisine ne l’a pas commencée.</p>`;
  return {
    to: order.customer.email,
    subject: `Votre commande ${order.shortCode} chez ${shopName}`,
    text,
    html,
  };
}
