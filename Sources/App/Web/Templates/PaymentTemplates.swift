/// Payments through gateways: the back office's list and detail (attempts, webhooks, refunds), the webhooks received,
/// and the borrower's payment reference.
enum PaymentTemplates {
    static let list = """
        {{<layout}}{{$body}}
        <form method="get" action="/pagos-en-linea" class="filters">
          <label>Estado <select name="estado"><option value="">Todos</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
          <button type="submit">Filtrar</button>
        </form>
        <table id="pagos-en-linea">
          <thead><tr><th>Pago</th><th>Crédito</th><th>Pasarela</th><th>Medio</th><th>Monto</th><th>Estado</th><th>Creado</th></tr></thead>
          <tbody>{{#intents}}<tr><td><a href="/pagos-en-linea/{{id}}">{{id}}</a></td><td><a href="/creditos/{{loanId}}">{{loanId}}</a></td><td>{{provider}}</td><td>{{method}}</td><td>{{amount}}</td><td>{{status}}</td><td>{{createdAt}}</td></tr>{{/intents}}
          {{^intents}}<tr><td colspan="7">Aún no hay pagos en línea.</td></tr>{{/intents}}</tbody>
        </table>
        <p><a href="/avisos-pasarelas" id="avisos">Avisos recibidos de las pasarelas</a></p>
        {{/body}}{{/layout}}
        """

    static let detail = """
        {{<layout}}{{$body}}
        <dl class="facts" id="pago">
          <dt>Crédito</dt><dd><a href="/creditos/{{intent.loanId}}">{{intent.loanId}}</a>{{#intent.installment}} · pago {{intent.installment}}{{/intent.installment}}</dd>
          <dt>Pasarela</dt><dd>{{provider}} · {{method}}</dd>
          <dt>Monto</dt><dd>{{amount}}</dd>
          <dt>Estado</dt><dd id="estado">{{intent.statusLabel}}{{#intent.failureMessage}} — {{intent.failureMessage}}{{/intent.failureMessage}}</dd>
          {{#received}}<dt>Recibido</dt><dd>{{received}} {{#fee}}(comisión de la pasarela {{fee}}){{/fee}}{{^fee}}(la comisión de la pasarela se registrará cuando la informe){{/fee}}</dd>{{/received}}
          {{#refunded}}<dt>Reembolsado</dt><dd>{{refunded}}</dd>{{/refunded}}
          {{#intent.cashReference}}<dt>Referencia</dt><dd>{{intent.cashReference}}</dd>{{/intent.cashReference}}
          {{#intent.clabe}}<dt>CLABE</dt><dd>{{intent.clabe}} ({{intent.bankName}})</dd>{{/intent.clabe}}
          {{#intent.expiresAt}}<dt>Vence</dt><dd>{{intent.expiresAt}}</dd>{{/intent.expiresAt}}
          <dt>Id en la pasarela</dt><dd>{{intent.providerChargeId}}</dd>
          {{#intent.paymentId}}<dt>Pago aplicado</dt><dd>{{intent.paymentId}}</dd>{{/intent.paymentId}}
          {{#intent.suspenseEntryId}}<dt>En partidas en suspenso</dt><dd>{{intent.suspenseEntryId}}</dd>{{/intent.suspenseEntryId}}
          <dt>Creado</dt><dd>{{intent.createdAt}} por {{intent.createdBy}}</dd>
        </dl>
        <h2>Solicitudes a la pasarela</h2>
        <table id="intentos"><thead><tr><th>Fecha</th><th>Tipo</th><th>Monto</th><th>Resultado</th><th>Detalle</th><th>Por</th></tr></thead>
        <tbody>{{#attempts}}<tr><td>{{requestedAt}}</td><td>{{kind}}</td><td>{{amount}}</td><td>{{result}}</td><td>{{errorMessage}}{{reason}}</td><td>{{requestedBy}}</td></tr>{{/attempts}}</tbody></table>
        <h2>Avisos recibidos</h2>
        <table id="avisos-del-pago"><thead><tr><th>Recibido</th><th>Evento</th><th>Tipo</th><th>Entregas</th><th>Estado</th><th>Nota</th></tr></thead>
        <tbody>{{#events}}<tr><td>{{receivedAt}}</td><td>{{eventId}}</td><td>{{type}}</td><td>{{deliveries}}</td><td>{{state}}</td><td>{{lastError}}</td></tr>{{/events}}
        {{^events}}<tr><td colspan="6">Aún no llegan avisos de la pasarela sobre este pago.</td></tr>{{/events}}</tbody></table>
        {{#canRefund}}
        <form method="post" action="/pagos-en-linea/{{intent.id}}/reembolsar" class="card" id="reembolso">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <h2>Reembolsar</h2>
          <p>La pasarela devuelve el dinero al pagador; el pago se cancela en el crédito y se aplica de nuevo lo que el acreditado conserva.</p>
          <label>Monto (vacío: todo lo que queda, {{refundable}}) <input name="monto" inputmode="decimal" placeholder="{{refundable}}"></label>
          <label>Motivo <input name="motivo" required maxlength="500"></label>
          <button type="submit">Reembolsar</button>
        </form>
        {{/canRefund}}
        <p><a href="/pagos-en-linea">Volver a los pagos en línea</a></p>
        {{/body}}{{/layout}}
        """

    static let events = """
        {{<layout}}{{$body}}
        <form method="get" action="/avisos-pasarelas" class="filters">
          <label>Estado <select name="estado"><option value="">Todos</option>{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label>
          <button type="submit">Filtrar</button>
        </form>
        <table id="avisos-pasarelas">
          <thead><tr><th>Recibido</th><th>Pasarela</th><th>Evento</th><th>Tipo</th><th>Entregas</th><th>Estado</th><th>Pago</th><th>Nota</th></tr></thead>
          <tbody>{{#events}}<tr><td>{{receivedAt}}</td><td>{{provider}}</td><td>{{eventId}}</td><td>{{type}}</td><td>{{deliveries}}</td><td>{{state}}</td><td>{{#intentId}}<a href="/pagos-en-linea/{{intentId}}">{{intentId}}</a>{{/intentId}}</td><td>{{lastError}}{{#verification}}Código de verificación de Openpay: <strong>{{verification}}</strong> (confírmelo en el panel de Openpay){{/verification}}</td></tr>{{/events}}
          {{^events}}<tr><td colspan="8">Aún no llegan avisos.</td></tr>{{/events}}</tbody>
        </table>
        {{/body}}{{/layout}}
        """

    static let portalPayment = """
        {{<layout}}{{$body}}
        <div class="voucher card" id="referencia">
          <p class="amount">{{amount}} MXN</p>
          <p>Estado: <strong id="estado">{{intent.statusLabel}}</strong>{{#intent.failureMessage}} — {{intent.failureMessage}}{{/intent.failureMessage}}</p>
          {{#intent.cashReference}}
          <p>Pague en efectivo en OXXO u otra tienda de conveniencia con esta referencia:</p>
          <p class="reference" id="referencia-efectivo"><strong>{{intent.cashReference}}</strong></p>
          <div class="barcode">{{{barcode}}}</div>
          {{#intent.voucherUrl}}<p><a href="{{intent.voucherUrl}}">Ficha de pago imprimible de {{provider}}</a></p>{{/intent.voucherUrl}}
          {{/intent.cashReference}}
          {{#intent.clabe}}
          <p>Transfiera por SPEI desde su banco a esta CLABE:</p>
          <p class="reference" id="clabe"><strong>{{intent.clabe}}</strong> ({{intent.bankName}})</p>
          <p>Transfiera exactamente {{amount}}; su pago se aplica en cuanto llegue.</p>
          {{/intent.clabe}}
          {{#cardPage}}
          <p>Su pago con tarjeta aún no se completa. Escriba los datos de su tarjeta en la página segura de {{provider}} (Cartera no los ve ni los guarda).</p>
          <p><a href="{{cardPage}}" id="pagina-tarjeta">Continuar el pago en {{provider}}</a></p>
          {{/cardPage}}
          {{^cardPage}}{{#intent.expiresAt}}<p>Vence: {{intent.expiresAt}}.</p>{{/intent.expiresAt}}{{/cardPage}}
          <p>Cuando su pago llegue lo verá aplicado en su crédito; no necesita avisarnos.</p>
        </div>
        <p><a href="/portal/creditos/{{intent.loanId}}">Volver a mi crédito</a></p>
        {{/body}}{{/layout}}
        """

    /// Back from the provider's card page (no session needed): the payment's state, and the way to the portal.
    static let paymentReturn = """
        {{<layout}}{{$body}}
        <div class="voucher card" id="regreso">
          <p class="amount">{{amount}} MXN</p>
          <p>Estado: <strong id="estado">{{status}}</strong>{{#failure}} — {{failure}}{{/failure}}</p>
          {{#paid}}<p>Recibimos su pago con tarjeta por medio de {{provider}}; ya está aplicado a su crédito.</p>{{/paid}}
          {{#pending}}<p>{{provider}} aún no nos confirma el pago. Si lo completó, se aplicará en cuanto lo confirme; puede volver a esta página en unos momentos.</p>{{/pending}}
        </div>
        <p><a href="/portal/pagos/{{id}}" id="ver-en-el-portal">Ver el pago en mis créditos</a></p>
        {{/body}}{{/layout}}
        """

    /// Before the provider's card page: where the card is typed, and the way there.
    static let portalCheckout = """
        {{<layout}}{{$body}}
        <div class="voucher card" id="pago-con-tarjeta">
          <p class="amount">{{amount}} MXN</p>
          <p>Escribirá los datos de su tarjeta en la página segura de {{provider}}; Cartera no los ve ni los guarda. Al terminar,
          {{provider}} lo regresará aquí y verá su pago aplicado.</p>
          <p><a href="{{cardPage}}" id="ir-a-pagar" class="button">Pagar con tarjeta en {{provider}}</a></p>
          <p>La página acepta el pago durante una hora.</p>
        </div>
        <p><a href="/portal/creditos/{{intent.loanId}}">Volver a mi crédito sin pagar</a></p>
        {{/body}}{{/layout}}
        """

    /// The portal's loan page adds this: pay online, and the borrower's payments through gateways.
    static let portalPayForm = """
        {{#canPayOnline}}
        <h2>Pagar en línea</h2>
        <form method="post" action="/portal/creditos/{{loan.id}}/pagar" class="card" id="pagar-en-linea">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <fieldset><legend>¿Qué quiere pagar?</legend>
            {{#nextInstallment}}<label><input type="radio" name="pagar" value="pago" checked> El pago {{number}} ({{remaining}})</label>{{/nextInstallment}}
            <label><input type="radio" name="pagar" value="liquidar"> Liquidar el crédito</label>
            <label><input type="radio" name="pagar" value="monto"{{^nextInstallment}} checked{{/nextInstallment}}> Otro monto <input name="monto" inputmode="decimal" placeholder="1250.00"></label>
            <input type="hidden" name="numero" value="{{nextInstallment.number}}">
          </fieldset>
          <fieldset><legend>¿Cómo?</legend>
            {{#methods}}<label><input type="radio" name="forma" value="{{value}}"{{#first}} checked{{/first}}> {{label}}</label>{{/methods}}
          </fieldset>
          <p>Con tarjeta, usted escribe los datos en la página segura de la pasarela; Cartera nunca los ve.</p>
          <button type="submit">Continuar</button>
        </form>
        {{/canPayOnline}}
        <h2>Mis pagos en línea</h2>
        <table id="mis-pagos-en-linea"><thead><tr><th>Fecha</th><th>Monto</th><th>Forma</th><th>Estado</th></tr></thead>
        <tbody>{{#intents}}<tr><td>{{createdAt}}</td><td><a href="/portal/pagos/{{id}}">{{amount}}</a></td><td>{{method}}</td><td>{{status}}</td></tr>{{/intents}}
        {{^intents}}<tr><td colspan="4">Aún no ha pagado en línea.</td></tr>{{/intents}}</tbody></table>
        """
}

/// The gateways' settings, for the administrator.
enum GatewaySettingsTemplates {
    static let list = """
        {{<layout}}{{$body}}
        <p>Las llaves y secretos se guardan cifrados y no se vuelven a mostrar. Lo que se define en el entorno del servidor
        (variables CARTERA_…) tiene prioridad y no se cambia aquí.</p>
        <table id="pasarelas"><thead><tr><th>Pasarela</th><th>Estado</th><th>Formas de pago</th><th>Cuenta</th><th>API</th><th>Avisos</th><th>Cambiado</th></tr></thead>
        <tbody>{{#providers}}<tr><td><a href="/pasarelas/{{id}}">{{name}}</a></td><td>{{source}}</td><td>{{methods}}</td><td>{{accountId}}</td><td>{{apiBase}}</td><td>{{webhooks}}</td><td>{{updated}}</td></tr>{{/providers}}</tbody></table>
        {{/body}}{{/layout}}
        """

    static let form = """
        {{<layout}}{{$body}}
        {{#fromEnvironment}}<p class="notice">Esta pasarela está definida en el entorno del servidor; lo que guarde aquí solo se usará si se quita de ahí.</p>{{/fromEnvironment}}
        <form method="post" action="/pasarelas/{{id}}" class="card" id="pasarela">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Llave secreta de la API {{#hasSecret}}(guardada; déjela vacía para conservarla){{/hasSecret}} <input type="password" name="llave" autocomplete="off"></label>
          <label>{{accountLabel}} <input name="cuenta" value="{{accountId}}"></label>
          <label>URL de la API (vacía: la de producción, {{production}}) <input name="api" value="{{apiBase}}" placeholder="{{production}}"></label>
          <label>{{secretLabel}} {{#hasWebhookSecret}}(guardado; déjelo vacío para conservarlo){{/hasWebhookSecret}} <input type="password" name="secreto" autocomplete="off"></label>
          {{#asksUser}}<label>Usuario de los avisos <input name="usuario" value="{{webhookUser}}"></label>{{/asksUser}}
          {{#asksKey}}<label>{{keyLabel}} <textarea name="llave_avisos" rows="4">{{webhookKey}}</textarea></label>{{/asksKey}}
          <label><input type="checkbox" name="borrar" value="1"> Borrar la llave y el secreto guardados</label>
          <button type="submit">Guardar</button>
        </form>
        <p><a href="/pasarelas">Volver a las pasarelas</a></p>
        {{/body}}{{/layout}}
        """
}
