/// Client pages: search and list, registration of a persona física, the client's file.
enum ClientTemplates {
    static let list = """
        {{<layout}}{{$body}}
        <form method="get" action="/clientes" class="filters">
          <label>Buscar por <select name="por">{{#lookups}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/lookups}}</select></label>
          <label>Valor exacto <input name="valor" value="{{valor}}" maxlength="254" id="valor"></label>
          <button type="submit" id="buscar">Buscar</button>
          {{#canCreate}}<a href="/clientes/nuevo" id="nuevo-cliente">Registrar cliente</a>{{/canCreate}}
        </form>
        {{#searched}}<p class="hint">Resultados de la búsqueda exacta.</p>{{/searched}}
        {{^searched}}<p class="hint">Clientes registrados más recientemente.</p>{{/searched}}
        <table id="clientes">
          <thead><tr><th>Cliente</th><th>Tipo</th><th>RFC</th><th>Teléfono</th><th>Alta (UTC)</th></tr></thead>
          <tbody>
          {{#clients}}<tr><td><a href="/clientes/{{id}}">{{displayName}}</a></td><td>{{kind}}</td><td>{{rfc}}</td><td>{{phone}}</td><td>{{createdAt}}</td></tr>{{/clients}}
          {{^clients}}<tr><td colspan="5">Sin resultados.</td></tr>{{/clients}}
          </tbody>
        </table>
        {{/body}}{{/layout}}
        """

    static let new = """
        {{<layout}}{{$body}}
        {{#hasIssues}}<ul class="error" id="errores">{{#issues}}<li>{{message}}</li>{{/issues}}</ul>{{/hasIssues}}
        <p>{{#company}}<a href="/clientes/nuevo" id="tipo-fisica">Registrar una persona física</a>{{/company}}{{^company}}<a href="/clientes/nuevo?tipo=moral" id="tipo-moral">Registrar una persona moral</a>{{/company}}</p>
        <form method="post" action="/clientes" class="card wide" autocomplete="off">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{#company}}
          <input type="hidden" name="kind" value="company">
          <fieldset><legend>Persona moral</legend>
          <label for="legalName">Razón social</label><input id="legalName" name="legalName" value="{{form.legalName}}" maxlength="200" required>
          <label for="companyRfc">RFC (12 caracteres)</label><input id="companyRfc" name="companyRfc" value="{{form.companyRfc}}" maxlength="12" required>
          <label for="incorporationDate">Fecha de constitución</label><input id="incorporationDate" name="incorporationDate" type="date" value="{{form.incorporationDate}}" required>
          <label for="businessActivity">Giro o actividad</label><input id="businessActivity" name="businessActivity" value="{{form.businessActivity}}" maxlength="200" required>
          <label for="companyNationality">Nacionalidad (código de país)</label><input id="companyNationality" name="companyNationality" value="{{form.companyNationality}}" maxlength="2">
          <label for="companyEfirma">Número de serie de la e.firma (si tiene)</label><input id="companyEfirma" name="companyEfirma" value="{{form.companyEfirma}}" maxlength="40">
          </fieldset>
          <fieldset><legend>Representantes legales</legend>
          {{#representatives}}
          <label for="rep{{n}}Name">Representante {{n}}: nombre</label><input id="rep{{n}}Name" name="rep{{n}}Name" value="{{name}}" maxlength="200">
          <label for="rep{{n}}Curp">CURP</label><input id="rep{{n}}Curp" name="rep{{n}}Curp" value="{{curp}}" maxlength="18">
          <label for="rep{{n}}Rfc">RFC</label><input id="rep{{n}}Rfc" name="rep{{n}}Rfc" value="{{rfc}}" maxlength="13">
          {{/representatives}}
          </fieldset>
          <fieldset><legend>Beneficiarios controladores</legend>
          {{#owners}}
          <label for="own{{n}}Name">Beneficiario {{n}}: nombre</label><input id="own{{n}}Name" name="own{{n}}Name" value="{{name}}" maxlength="200">
          <label for="own{{n}}Percent">Participación (%)</label><input id="own{{n}}Percent" name="own{{n}}Percent" value="{{percent}}" maxlength="7" inputmode="decimal">
          <label for="own{{n}}Curp">CURP</label><input id="own{{n}}Curp" name="own{{n}}Curp" value="{{curp}}" maxlength="18">
          <label for="own{{n}}Rfc">RFC</label><input id="own{{n}}Rfc" name="own{{n}}Rfc" value="{{rfc}}" maxlength="13">
          {{/owners}}
          </fieldset>
          {{/company}}
          {{^company}}
          <fieldset><legend>Persona física</legend>
          <label for="givenNames">Nombre(s)</label><input id="givenNames" name="givenNames" value="{{form.givenNames}}" maxlength="120" required>
          <label for="paternalSurname">Apellido paterno</label><input id="paternalSurname" name="paternalSurname" value="{{form.paternalSurname}}" maxlength="120" required>
          <label for="maternalSurname">Apellido materno</label><input id="maternalSurname" name="maternalSurname" value="{{form.maternalSurname}}" maxlength="120">
          <label for="sex">Sexo (como en la CURP)</label>
          <select id="sex" name="sex">{{#sexes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sexes}}</select>
          <label for="birthDate">Fecha de nacimiento</label><input id="birthDate" name="birthDate" type="date" value="{{form.birthDate}}" required>
          <label for="birthState">Entidad de nacimiento</label>
          <select id="birthState" name="birthState">{{#birthStates}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/birthStates}}</select>
          <label for="nationality">Nacionalidad (código de país)</label><input id="nationality" name="nationality" value="{{form.nationality}}" maxlength="2">
          <label for="occupation">Ocupación o actividad</label><input id="occupation" name="occupation" value="{{form.occupation}}" maxlength="120" required>
          <label for="curp">CURP</label><input id="curp" name="curp" value="{{form.curp}}" maxlength="18" required>
          <label for="rfc">RFC con homoclave (si tiene)</label><input id="rfc" name="rfc" value="{{form.rfc}}" maxlength="13">
          <label for="efirmaSerial">Número de serie de la e.firma (si tiene)</label><input id="efirmaSerial" name="efirmaSerial" value="{{form.efirmaSerial}}" maxlength="40">
          </fieldset>
          {{/company}}
          <fieldset><legend>Domicilio</legend>
          <label for="street">Calle</label><input id="street" name="street" value="{{form.street}}" maxlength="120" required>
          <label for="exteriorNumber">Número exterior</label><input id="exteriorNumber" name="exteriorNumber" value="{{form.exteriorNumber}}" maxlength="20" required>
          <label for="interiorNumber">Número interior</label><input id="interiorNumber" name="interiorNumber" value="{{form.interiorNumber}}" maxlength="20">
          <label for="neighborhood">Colonia</label><input id="neighborhood" name="neighborhood" value="{{form.neighborhood}}" maxlength="120" required>
          <label for="municipality">Municipio o alcaldía</label><input id="municipality" name="municipality" value="{{form.municipality}}" maxlength="120" required>
          <label for="city">Ciudad</label><input id="city" name="city" value="{{form.city}}" maxlength="120" required>
          <label for="state">Entidad</label>
          <select id="state" name="state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select>
          <label for="postalCode">Código postal</label><input id="postalCode" name="postalCode" value="{{form.postalCode}}" maxlength="5" inputmode="numeric" required>
          </fieldset>
          <fieldset><legend>Contacto</legend>
          <label for="phone">Teléfono (10 dígitos)</label><input id="phone" name="phone" value="{{form.phone}}" maxlength="20" inputmode="tel" required>
          <label for="phone2">Otro teléfono</label><input id="phone2" name="phone2" value="{{form.phone2}}" maxlength="20" inputmode="tel">
          <label for="email">Correo electrónico</label><input id="email" name="email" value="{{form.email}}" maxlength="254" type="email">
          </fieldset>
          <button type="submit" id="registrar">Registrar cliente</button>
        </form>
        {{/body}}{{/layout}}
        """

    static let detail = """
        {{<layout}}{{$body}}
        <dl class="facts" id="expediente">
          <dt>Número de cliente</dt><dd><code>{{id}}</code></dd>
          <dt>Tipo</dt><dd>{{kind}}</dd>
          {{#individual}}
          <dt>Nombre</dt><dd>{{givenNames}} {{paternalSurname}} {{maternalSurname}}</dd>
          <dt>Sexo</dt><dd>{{sex}}</dd>
          <dt>Fecha de nacimiento</dt><dd>{{birthDate}} ({{age}} años)</dd>
          <dt>Entidad de nacimiento</dt><dd>{{birthStateName}}</dd>
          <dt>Nacionalidad</dt><dd>{{nationality}}</dd>
          <dt>Ocupación</dt><dd>{{occupation}}</dd>
          <dt>CURP</dt><dd><code>{{curp}}</code></dd>
          <dt>RFC</dt><dd><code>{{rfc}}</code></dd>
          <dt>e.firma</dt><dd>{{efirmaSerial}}</dd>
          {{/individual}}
          {{#company}}
          <dt>Razón social</dt><dd>{{legalName}}</dd>
          <dt>RFC</dt><dd><code>{{rfc}}</code></dd>
          <dt>Constitución</dt><dd>{{incorporationDate}}</dd>
          <dt>Giro</dt><dd>{{businessActivity}}</dd>
          <dt>Representantes</dt><dd>{{#representatives}}{{name}}<br>{{/representatives}}</dd>
          <dt>Beneficiarios controladores</dt><dd>{{#beneficialOwners}}{{name}} ({{ownershipPercent}}%)<br>{{/beneficialOwners}}</dd>
          {{/company}}
          <dt>Domicilio</dt><dd>{{address}}</dd>
          <dt>Teléfonos</dt><dd>{{phones}}</dd>
          <dt>Correo</dt><dd>{{email}}</dd>
          <dt>Alta</dt><dd>{{createdAt}}</dd>
        </dl>
        {{#risk}}<section class="card" id="riesgo-pld"><h2>Grado de riesgo PLD: {{grade}}</h2>
          <p>{{points}} puntos con la matriz versión {{matrix}}; calificado {{assessedAt}} ({{occasion}}). Confidencial.</p>
          <ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul></section>{{/risk}}
        {{#showBureau}}<section class="card" id="buro"><h2>Consultas a Círculo de Crédito</h2>
          <table><thead><tr><th>Fecha</th><th>Resultado</th><th>FICO Score</th><th>Variables para el puntaje</th></tr></thead><tbody>
          {{#bureau}}<tr><td>{{at}}</td><td>{{outcome}}</td><td>{{score}}</td><td>{{variables}}</td></tr>{{/bureau}}
          {{^bureau}}<tr><td colspan="4">Sin consultas. Registre la autorización del cliente y consulte con <code>cartera bureau</code> o la API.</td></tr>{{/bureau}}
          </tbody></table></section>{{/showBureau}}
        <p><a href="/clientes/{{id}}/expediente" id="ver-expediente">Expediente de identificación (documentos)</a> · <a href="/clientes">Volver a clientes</a></p>
        {{/body}}{{/layout}}
        """
}
